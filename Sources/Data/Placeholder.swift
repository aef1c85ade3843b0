// Placeholder until the Data work lands.
