"""The demo scheme. Every name here is invented; none is meant to be a real person."""

from __future__ import annotations

PARTIES = ["Harbour Alliance", "Upland Party", "Civic Reform Group"]

OFFICES = [
    "Office of the Presiding Officer",
    "Members' Business Office",
    "Committee Secretariat",
    "Research and Information Service",
    "Facilities and Estates",
    "Press and Communications Office",
    "Office of the Standards Commissioner",
]

# The demo handlers' own directory entries: the independent Commissioner's office, no party.
# (account username, identifier, role title)
HANDLERS = [
    ("caseworker", "S-0101", "Complaints Caseworker"),
    ("investigator", "S-0102", "Investigator"),
    ("decision-maker", "S-0103", "Commissioner for Standards"),
    ("appeals", "S-0104", "Appeals Panel Member"),
]
COMMISSIONER_OFFICE = 6
MAIL_DOMAIN = "assembly.example"

CONSTITUENCIES = [
    "Ashwold East",
    "Brackenmoor",
    "Caddon Vale",
    "Dunmere",
    "Eastholt",
    "Fennick Bay",
    "Glasswater",
    "Harrowfield",
    "Inchbrook",
    "Juniper Cross",
    "Kestrel Ridge",
    "Larkspur",
    "Millbrae South",
    "Northwick Fells",
    "Orlen Valley",
    "Pentre Morfa",
    "Quarrington",
    "Rosskillen",
    "Saltmarsh",
    "Tarnside",
    "Ulverby",
    "Vennor",
    "Wyeford",
    "Yarrowdale",
]

# (identifier, name, role title, party index, constituency index)
MEMBERS = [
    ("M-1001", "Alderic Fenwright", "Member; Deputy Minister for Transport", 0, 0),
    ("M-1002", "Brisa Holloway-Pike", "Member; Chief Whip", 0, 1),
    ("M-1003", "Corwen Dallimore", "Member", 0, 2),
    ("M-1004", "Delphine Ashgrove", "Member; Committee Chair (Housing)", 0, 3),
    ("M-1005", "Emrys Quillfeather", "Member", 0, 4),
    ("M-1006", "Farrah Lindqvist-Oake", "Member", 0, 5),
    ("M-1007", "Gethin Marlowe-Price", "Member; Minister for Culture", 0, 6),
    ("M-1008", "Hestia Carrowmore", "Member", 0, 7),
    ("M-2001", "Idris Pennywhistle", "Member; Leader of the Upland Party", 1, 8),
    ("M-2002", "Juno Talbrook", "Member; Party Whip", 1, 9),
    ("M-2003", "Kenelm Austerfield", "Member", 1, 10),
    ("M-2004", "Lowri Gatesby", "Member; Committee Chair (Finance)", 1, 11),
    ("M-2005", "Madoc Everleigh", "Member", 1, 12),
    ("M-2006", "Nerys Blackthorne-Ley", "Member", 1, 13),
    ("M-2007", "Osric Wendlebury", "Member", 1, 14),
    ("M-2008", "Perpetua Sallowfield", "Member", 1, 15),
    ("M-3001", "Quentin Harrowgate-Bell", "Member; Leader of the Civic Reform Group", 2, 16),
    ("M-3002", "Rhiannon Cadwalader-Finch", "Member", 2, 17),
    ("M-3003", "Sebastian Morrowind-Hale", "Member; Business Manager", 2, 18),
    ("M-3004", "Tamsin Oakenshaw", "Member", 2, 19),
    ("M-3005", "Ulric Thistlewood", "Member", 2, 20),
    ("M-3006", "Verity Glanmor", "Member", 2, 21),
    ("M-3007", "Wynford Elsmere-Crane", "Member", 2, 22),
    ("M-3008", "Xanthe Poldark-Rees", "Member", 2, 23),
]

# (identifier, name, role title, office index, line manager identifier or None, party index)
# Members' own staff belong to their member's party office for conflict purposes.
STAFF = [
    ("S-0001", "Yestin Marchbanks", "Clerk to the Assembly", 0, None, None),
    ("S-0002", "Zelda Hartigan", "Head of Members' Business", 1, "S-0001", None),
    ("S-0003", "Anwen Stroud-Calloway", "Committee Clerk", 2, "S-0001", None),
    ("S-0004", "Bartholomew Inkpen", "Senior Researcher", 3, "S-0001", None),
    ("S-0005", "Cressida Vantongeren", "Estates Manager", 4, "S-0001", None),
    ("S-0006", "Dafydd Ravensworth", "Press Officer", 5, "S-0001", None),
    ("S-0007", "Elowen Trevithick-Shaw", "Caseworker to Alderic Fenwright", 1, "M-1001", 0),
    ("S-0008", "Florian Mabbutt", "Senior Adviser to Alderic Fenwright", 1, "M-1001", 0),
    ("S-0009", "Gwenllian Osterby", "Researcher to Idris Pennywhistle", 1, "M-2001", 1),
    ("S-0010", "Horatio Venables-Quist", "Office Manager to Juno Talbrook", 1, "M-2002", 1),
    ("S-0011", "Isolde Penhallow", "Caseworker to Quentin Harrowgate-Bell", 1, "M-3001", 2),
    ("S-0012", "Jasper Ollerenshaw", "Communications Officer to Tamsin Oakenshaw", 1, "M-3004", 2),
    ("S-0013", "Keturah Blewitt", "Committee Assistant", 2, "S-0003", None),
    ("S-0014", "Lysander Cotterill", "Research Assistant", 3, "S-0004", None),
    ("S-0015", "Morwenna Duckett", "Facilities Officer", 4, "S-0005", None),
    ("S-0016", "Nathaniel Fairweather-Gunn", "Digital Editor", 5, "S-0006", None),
]

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose: fictional demo accounts
DEMO_ESCROW_PASSPHRASE = "demo escrow passphrase 2026"  # noqa: S105 - published on purpose

# (username, display name, role)
ACCOUNTS = [
    ("caseworker", "Ffion Aldergrove (demo caseworker)", "caseworker"),
    ("investigator", "Rowan Tillingham (demo investigator)", "investigator"),
    ("decision-maker", "Commissioner Iola Brackenbury (demo)", "decision_maker"),
    ("appeals", "Emeric Sandalwood (demo appeals panel)", "appeals_panel"),
    ("adviser", "Mair Lockwood (demo support adviser)", "support_adviser"),
    ("counsellor", "Tobias Wrenfield (demo escrow counsellor)", "escrow_counsellor"),
    ("vetting", "Priya Castellane (demo vetting officer)", "vetting_officer"),
    ("oversight", "Hollis Grayburn (demo oversight)", "oversight"),
    ("admin", "Sian Merriweather (demo administrator)", "administrator"),
    # Two, because a data protection request's answer is released only with a second officer's
    # approval.
    ("dpo", "Gwenllian Ashcombe (demo data protection officer)", "data_protection_officer"),
    ("dpo-second", "Osian Fairweather (demo data protection officer)", "data_protection_officer"),
]

# Fictional complaints: (respondent identifier, category, identity choice, what happened,
# how far the demo takes it: "received", "overdue", "investigation", "on hold", "appeal window").
CASES = [
    (
        "M-1001",
        "harassment",
        "confidential",
        "Over several months the member made repeated comments about my appearance in the "
        "constituency office and sent messages late at night asking me to meet alone.",
        "investigation",
    ),
    (
        "M-2002",
        "bullying",
        "anonymous",
        "In team meetings the whip shouted at junior staff, called us useless in front of "
        "visitors and threatened that nobody would employ us again if we complained.",
        "overdue",
    ),
    (
        "S-0005",
        "other",
        "named",
        "My manager changed my shifts without notice after I raised a safety concern about the "
        "loading bay, and told colleagues I was a troublemaker.",
        "appeal window",
    ),
    (
        "M-3003",
        "sexual_misconduct",
        "confidential",
        "At a reception after a committee visit the member put his hand on my leg under the table "
        "and later followed me to the lift. I reported it to the police the next day.",
        "on hold",
    ),
    (
        "M-2005",
        "bullying",
        "anonymous",
        "The member's office manager reads out our mistakes to the whole office every Friday and "
        "keeps a list of who is 'on thin ice'.",
        "received",
    ),
]

# Who the confidential complainants are (fictional), sealed apart from their cases, by the
# respondent's identifier in CASES.
SEALED_IDENTITIES = {
    "M-1001": {
        "name": "Carys Pendleford",
        "email": "carys.pendleford@example.org",
        "phone": "01632 960 118",
    },
    "M-3003": {"name": "Dafydd Orrell", "email": "dafydd.orrell@example.org"},
}

# Written by the demo caseworker for the case under investigation: what the respondent sees.
ALLEGATIONS = (
    "It is alleged that between March and September you made repeated comments about a member of "
    "staff's appearance in your constituency office and sent messages late at night asking them "
    "to meet you alone."
)
