"""Redress's settings plus one bare view: the baseline the intake API benchmark compares with."""
