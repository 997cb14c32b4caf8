"""The staff front door: sign-in with a second factor, and the consoles of each role."""
