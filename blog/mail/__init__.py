"""Subscriptions: readers get each new essay by email, in their language, exactly once.

forms and views are the reader's flow (subscribe, confirm, manage, unsubscribe); letters composes the emails
from stored HTML; sender queues and delivers them for `manage.py send_newsletters`; admin is the owner's view.
"""
