"""Training entry point for the demo encoder (illustrative only)."""


def main() -> None:
    print("train the encoder on acme/support-chats")


if __name__ == "__main__":
    main()
