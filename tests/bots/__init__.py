"""Tests of the chat channels against local fakes of their platforms."""
