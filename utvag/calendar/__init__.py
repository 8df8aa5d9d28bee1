"""When a team is open: weekly office hours and their parser, holidays and
closed days (the office calendar), due times, and hours written for people.
Pure: no database, no Flask, so every process computes the same answer."""
