"""Call control for the SIP media application: puts callers into Chime SDK meetings, ends calls cleanly."""
