"""What both kinds of case share: sex, marks, effects, dental findings, notes, shares, references."""
