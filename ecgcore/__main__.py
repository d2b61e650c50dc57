from ecgcore.core.settings import passive_thread_waits

if __name__ == "__main__":
    passive_thread_waits()
    from ecgcore.cli import main

    raise SystemExit(main())
