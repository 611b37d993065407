"""Akhbar: cited answers over an archive of Arabic news."""
