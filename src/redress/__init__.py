"""Redress: an independent complaints and grievance system."""
