"""Where bookings come from: the Naver booking endpoint over HTTP, or a file (replay, demo)."""
