// Placeholder until the Layers work lands.
