"""Rendering the Quarto website: with Quarto when installed, else with our pandoc renderer."""
