"""The lesson room: File > Save lesson and Open lesson, a dropped .bplab, and their restoring.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.lesson.capture import capture, show_views
from gui.lesson.files import LessonFiles, is_lesson

__all__ = ["LessonFiles", "capture", "is_lesson", "show_views"]
