# writing
