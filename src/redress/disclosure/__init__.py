"""A confidential complainant's identity, sealed apart from the case, and the controlled step
before it is read or leaves the scheme: asked for with a reason, approved by a second role, the
complainant told in writing first unless a recorded exception applies, every step ledgered.
"""
