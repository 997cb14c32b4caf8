"""The vault: envelope encryption of case content, key rotation and crypto-shredding."""
