// Placeholder until the Checkpoint work lands.
