from services.infra.runner import main

main("scoring")
