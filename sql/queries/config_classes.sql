-- Dashboard: the SLM/LLM boundary the DB was built with (config_classes, written by each refresh). No variables.
SELECT max(slm_max_params)::DOUBLE AS slm_max_params FROM config_classes;
