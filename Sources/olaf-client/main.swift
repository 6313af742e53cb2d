print("olaf-client")
