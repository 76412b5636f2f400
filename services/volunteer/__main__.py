from services.infra.runner import main

main("volunteer")
