"""The Textual shell: the app, the Panel base class, shared widgets and the modal screens.

Staff use it over SSH, where every frame costs bandwidth: unless the user chose a frame rate,
cap it before Textual reads the setting (on its first import, which is below this line).
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "20")
