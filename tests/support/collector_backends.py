"""The collector's local destinations; they live in `naver_sms.devstack.collector_sinks`."""

from naver_sms.devstack.collector_sinks import OtlpReceiver, XRayEndpoint

__all__ = ["OtlpReceiver", "XRayEndpoint"]
