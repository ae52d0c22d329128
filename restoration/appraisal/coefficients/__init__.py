"""Coefficient tables of the appraisal methods (data files, each value with source and verified)."""
