"""The helpline: support requests from complainants and respondents, with deadlines, the
adviser's contact through the person's own channel, and referrals to support services.

It sits between case handling and the capabilities that take reports: intake creates support
requests here, and the staff and public pages show them. The adviser sees no more of a case
than that work needs.
"""
