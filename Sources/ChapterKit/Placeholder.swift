// Placeholder until the ChapterKit work lands.
