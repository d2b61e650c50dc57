"""Learning: the trainer, augmentations, the real-data protocol (folds, CV, ablation), evaluation and pretraining."""
