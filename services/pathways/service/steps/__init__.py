"""The loop's steps: one module per step (assess, respond, monitor, adjust, verify_rights), the
plan's actions, and the dispatcher that checks a step's order and records it."""
