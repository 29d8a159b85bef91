"""Local stack: moto in server mode plus local SENS and Telegram servers, all on loopback."""

from naver_sms.devstack.credentials import StackSecrets
from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import Exchange
from naver_sms.devstack.moto_server import MotoServer, MotoServerError
from naver_sms.devstack.sens_server import SensMessage, SensServer
from naver_sms.devstack.stack import DEFAULT_SWITCHES, LocalStack, approval_record
from naver_sms.devstack.telegram_html import TelegramHtmlError, parse_html
from naver_sms.devstack.telegram_server import TelegramMessage, TelegramServer

__all__ = [
    "DEFAULT_SWITCHES",
    "Exchange",
    "Fault",
    "LocalStack",
    "MotoServer",
    "MotoServerError",
    "SensMessage",
    "SensServer",
    "StackSecrets",
    "TelegramHtmlError",
    "TelegramMessage",
    "TelegramServer",
    "approval_record",
    "parse_html",
]
