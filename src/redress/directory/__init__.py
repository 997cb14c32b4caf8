"""The directory of people a scheme covers: members and staff, their parties and offices."""
