-- Dashboard: the SLM/LLM boundary for a DB without config_classes: what schema_info records. No variables.
SELECT default_threshold()::DOUBLE AS slm_max_params;
