"""Full-process recording: the 音像记录事项清单 (which steps are recorded on audio/video, how, by whom)."""
