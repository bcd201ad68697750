-- Dashboard: the size bands of a DB without config_bands, as observed in `models`, in the macros' order;
-- upper = the largest count seen in the band (enough to tell which side of a threshold it lies). No variables.
SELECT size_band AS label, max(params_total)::DOUBLE AS upper
FROM models
WHERE size_band IS NOT NULL AND size_band <> 'unknown'
GROUP BY size_band
ORDER BY size_band_order(size_band), max(params_total);
