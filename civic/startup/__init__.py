"""Start-up support (incubation): the support plan of an idea, its milestones, gates and workspace."""
