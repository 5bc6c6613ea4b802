"""Settings: the one place configuration is read (environment `LINKUP_*`, CLI flags override)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.linkupapi.com"


class Settings(BaseSettings):
    """Every setting, typed and defaulted. Field `x` is env `LINKUP_X` and flag `--x`."""

    model_config = SettingsConfigDict(env_prefix="LINKUP_", extra="ignore", populate_by_name=True)

    api_key: SecretStr | None = Field(None, description="API key, sent as x-api-key; never echoed")
    account_id: str | None = Field(None, description="default account_id for every call")
    base_url: str = Field(DEFAULT_BASE_URL, description="API base URL")
    timeout: float = Field(60.0, gt=0, description="per-request timeout, seconds")
    max_credits: int | None = Field(None, ge=0, description="credit budget for this server process")
    toolsets: Annotated[list[str] | None, NoDecode] = Field(
        None, description="comma list of categories to expose (default: all but auth)"
    )
    read_only: bool = Field(False, description="expose only read-only tools")
    sandbox: bool = Field(False, description="serve from the built-in sandbox instead of the real API")
    max_retries: int = Field(3, ge=0, le=10, description="retries of a retryable failure")
    retry_deadline: float = Field(45.0, gt=0, description="total seconds a call may spend retrying")
    log_level: str = Field("WARNING", description="stderr log level")

    @field_validator("toolsets", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            return parts or None
        return value

    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


def load_settings(**overrides: Any) -> Settings:
    """Environment first, then explicit overrides (CLI flags) for the fields given."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
