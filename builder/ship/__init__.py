"""Ship: infer and compare blueprints (``schema``), say what the deployed integration will do
differently (``lint``) and write the deployable artefacts (``export``)."""
