import ArgumentParser
import Fluid
print("placeholder")
