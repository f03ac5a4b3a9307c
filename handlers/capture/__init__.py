"""Reading one free-text message into what it records: activity, people, follow-up."""

from handlers.capture.engine import Capture, read_message, read_time, read_who
from handlers.capture.vocabulary import Vocabulary

__all__ = ["Capture", "Vocabulary", "read_message", "read_time", "read_who"]
