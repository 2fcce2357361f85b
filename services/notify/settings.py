"""Settings of the notify service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from fairwind.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    service_name: str = "notify"
    http_port: int = Field(default=8050, ge=0, le=65535)
    grpc_port: int = Field(default=50100, ge=0, le=65535)
    metrics_port: int = Field(default=9150, ge=0, le=65535)
    # At most this many messages about one parcel to one person (see domain/rules.py).
    frequency_cap: int = Field(default=8, ge=1, le=100)
    # Platform quiet hours for SMS, HH:MM in the recipient's zone (a person's own replace them).
    quiet_start: str = Field(default="21:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    quiet_end: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    # Partners' API keys are checked with the orders service (gRPC), answers kept a while.
    orders_target: str = "127.0.0.1:50060"
    rpc_deadline_s: float = Field(default=2.0, gt=0)
    partner_key_cache_s: float = Field(default=30.0, ge=0)
    # Links in messages, + the waybill: the public tracking page (the same setting, and
    # under make run the same value, as the orders service's) and the opt-out page.
    public_tracking_url: str = Field(
        default="http://127.0.0.1:8030/v1/track/", pattern=r"^https?://[^\s?#]+/$"
    )
    unsubscribe_url_base: str = Field(
        default="http://127.0.0.1:8050/v1/unsubscribe/", pattern=r"^https?://[^\s?#]+/$"
    )
    # Surveys after delivery: the answer page (notify's own, as the opt-out page is).
    survey_url_base: str = Field(
        default="http://127.0.0.1:8050/v1/surveys/", pattern=r"^https?://[^\s?#]+/$"
    )
    # Signs the survey and opt-out links. Without one, a process signs with its own and
    # its links die with it.
    message_link_secret: SecretStr | None = None
    survey_after_s: float = Field(default=7200, ge=0)
    # E-mail: the SMTP server messages are handed to, and the From address.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    mail_from: str = "Fairwind <notify@fairwind.dev>"
    # SMS: the provider's API (Twilio's Messages format; make run starts a local one), the
    # account and its auth token, and the number or sender id messages come from.
    sms_api_url: str = Field(default="http://127.0.0.1:8065", pattern=r"^https?://[^\s?#]+$")
    sms_account_sid: str = Field(default="AC" + "0" * 32, pattern=r"^AC[0-9a-fA-F]{32}$")
    sms_auth_token: SecretStr = SecretStr("local-token")
    sms_from: str = "+8610950000"
    # The sender: how often it looks for due messages, how many it takes a round, and how
    # long a claimed message is its own before another sender may take it.
    send_interval_s: float = Field(default=1.0, gt=0)
    # How often early events whose order is stored by now are planned (a race between two
    # processes: one parks the event while the other stores its order).
    early_sweep_s: float = Field(default=60.0, gt=0)
    send_batch: int = Field(default=200, ge=1, le=10_000)
    send_lease_s: float = Field(default=60.0, gt=0)
    # Webhooks: how often the dispatcher claims when idle (ten times as often while busy), how
    # often it rereads the endpoints, and how long a partner has to answer.
    webhook_interval_s: float = Field(default=0.2, gt=0)
    webhook_refresh_s: float = Field(default=2.0, gt=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # How far back a partner may ask for a replay: no further than the topics keep events.
    replay_max_days: int = Field(default=7, ge=1, le=365)
