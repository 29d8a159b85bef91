"""naver-sms: Naver Smart Place bookings to customer SMS, instrumented end to end."""

__version__ = "0.1.0"
SERVICE_NAME = "naver-sms"

__all__ = ["SERVICE_NAME", "__version__"]
