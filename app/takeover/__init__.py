"""Taking work over: reassigning tasks, delegating a person's tasks for a period, suspending, resuming, cancelling."""
