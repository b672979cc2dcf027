"""faqbot's actions, written with rasa-sdk.

The same classes run inside faqbot's engine and on the Rasa action-server
protocol. rasa-sdk's own action server imports every module here and builds
each concrete `Action` with no arguments, so modules do nothing at import time
and every dependency has a lazily built default.
"""
