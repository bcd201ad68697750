-- Dashboard: the size bands the DB was built with (config_bands), in order; upper = exclusive bound. No variables.
SELECT label, upper::DOUBLE AS upper FROM config_bands ORDER BY band_order;
