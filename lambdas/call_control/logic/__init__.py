"""Pure decisions: this SMA event, in this call state, gives these actions and these side effects.

Nothing here talks to AWS. `dispatch.decide` is the entry point; the service (`service.py`) loads the
state, asks for a decision, runs the steps it names (a new caller's meeting and record), applies its
record change as a conditional write (re-deciding with the fresh record if the write is refused),
deletes the meeting when asked, and returns the actions. One module per concern: `inbound`, `outbound`,
`leaving` (goodbyes and hang-ups), `update_requests`, `failures`, `sweep`, `metrics`; shared types in
`decision`.
"""
