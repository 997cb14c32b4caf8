"""The complainant's front door: start page, reporting, follow-up. No accounts, no addresses."""
