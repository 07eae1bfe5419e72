// Placeholder until the suite has tests.
