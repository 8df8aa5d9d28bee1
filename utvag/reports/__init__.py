"""What the programme reports to the municipal board: the yearly follow-up,
built from the clear fields that retention keeps, small numbers suppressed."""
