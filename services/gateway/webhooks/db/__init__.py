"""The webhooks tables and every statement over them."""
