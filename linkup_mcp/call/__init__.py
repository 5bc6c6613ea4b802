"""One tool call: the runtime and the pipeline of steps that runs it."""
