"""Values shared by the tests that start manage.py with production settings."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A secret key that production settings accept (random-looking, 50+ characters).
GOOD_KEY = "k9J2-vQ8pX_r7Lm4Zt1Wc6Yb3Nh5Fd0Gs8Ue2Ia7Oq9Rk4Tj1Mx6Pv3Bw5Cy8Dz0Ef"
