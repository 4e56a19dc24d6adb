"""The batch prediction engine: BatchPredictionJobs scored by model servers started for them."""
