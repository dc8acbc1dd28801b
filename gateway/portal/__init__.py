"""Pages people see: rendered by the engine, served by the addons."""

from gateway.portal._pages import Brand, Page, Pages, is_navigation

__all__ = ["Brand", "Page", "Pages", "is_navigation"]
